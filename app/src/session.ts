import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { ACCESS_CHANGED_EVENT, ACCESS_CONFIRMED_EVENT } from '../../editor/live/reconnecting-socket.ts';
import { ApiError, apiRequest } from './api.ts';
import { applyUserLocale } from './i18n/locale.ts';
import { setThemeChoice } from './ui/theme.ts';

/** The signed-in user as `GET /api/v1/auth/me` describes them, with what their role permits. */
export interface SessionUser {
  username: string;
  role: 'operator' | 'engineer' | 'admin';
  /** The permissions of the role (`products:write`, `alerts:ack`, …), as the API checks them. */
  permissions: readonly string[];
  /** Their language, time zone and theme; applied when they sign in. */
  preferences?: { locale: 'en' | 'zh-CN' | null; timeZone: string | null; theme: 'system' | 'light' | 'dark' };
}

/** A signed-in user's saved language, time zone and theme win over this browser's. */
function applyPreferences(user: SessionUser): void {
  const prefs = user.preferences;
  if (!prefs) return;
  applyUserLocale(prefs);
  // 'system' is also what a user who never chose has: then this browser's own choice stays.
  if (prefs.theme !== 'system') setThemeChoice(prefs.theme);
}

/** Whether the browser holds a session: unknown until `/auth/me` answered. */
export type SessionState = { status: 'checking' } | { status: 'signed-out' } | { status: 'signed-in'; user: SessionUser };

/**
 * The browser session. The cookie is HttpOnly, so the only way to know whether one exists is to ask `/auth/me`; a
 * 401 there means signed out, not an error.
 */
export function useSession(): {
  session: SessionState;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
} {
  const [session, setSession] = useState<SessionState>({ status: 'checking' });

  useEffect(() => {
    let current = true;
    const check = () =>
      apiRequest<SessionUser>('GET', '/auth/me').then(
        (user) => {
          if (!current) return;
          applyPreferences(user);
          setSession({ status: 'signed-in', user });
          // Live sockets closed for changed access connect again now (with the new role, if it changed).
          globalThis.dispatchEvent(new Event(ACCESS_CONFIRMED_EVENT));
        },
        (err: unknown) => {
          if (!current) return;
          if (!(err instanceof ApiError) || err.status !== 401) console.error('checking the session failed', err);
          setSession({ status: 'signed-out' });
        },
      );
    void check();
    // Signed out elsewhere, the token revoked, the role changed: the server said so on a live socket or with a 401.
    // Asking again shows the sign-in screen, or the screens the new role allows.
    globalThis.addEventListener(ACCESS_CHANGED_EVENT, check);
    return () => {
      current = false;
      globalThis.removeEventListener(ACCESS_CHANGED_EVENT, check);
    };
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    await apiRequest('POST', '/auth/login', { username, password });
    // /auth/me carries the role's permissions, which the login answer does not.
    const user = await apiRequest<SessionUser>('GET', '/auth/me');
    applyPreferences(user);
    setSession({ status: 'signed-in', user });
  }, []);

  const logout = useCallback(async () => {
    // The screens, and with them their live sockets, go before the session does: a socket the server closes for the
    // ended session asks whether access is still there, and could be told yes by a check the logout has not overtaken
    // yet, and connect again only to be refused.
    flushSync(() => setSession({ status: 'checking' }));
    try {
      await apiRequest('POST', '/auth/logout');
    } finally {
      // Signed out locally even if the server already forgot the session (expired, restarted with a new data dir).
      setSession({ status: 'signed-out' });
    }
  }, []);

  return { session, login, logout };
}

export const UserContext = createContext<SessionUser | null>(null);

/** The signed-in user; only inside the shell. */
export function useUser(): SessionUser {
  const user = useContext(UserContext);
  if (!user) throw new Error('useUser outside the signed-in app');
  return user;
}

/** Whether the signed-in user's role has `permission`: pages offer only the buttons the API would accept. */
export function useCan(permission: string): boolean {
  return useUser().permissions.includes(permission);
}
