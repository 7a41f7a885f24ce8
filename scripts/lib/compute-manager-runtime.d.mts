export declare const COMPUTE_MANAGER_NODE_ARGS: string[];
