export declare const HOST_AGENT_ENV: Record<string, string>;
export declare const HOST_AGENT_NODE_ARGS: string[];
