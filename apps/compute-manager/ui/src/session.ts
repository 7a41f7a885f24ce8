/** The operator's token, kept for this tab only (sessionStorage): never in the URL, gone with the tab. */
const KEY = 'vnet.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  keep: (token: string): void => sessionStorage.setItem(KEY, token),
  forget: (): void => sessionStorage.removeItem(KEY),
};

export const authorization = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
