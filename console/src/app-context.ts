// What every page knows: who is logged in, and the last change the feed brought.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { FeedChange, Session } from './model.js';

export interface AppState {
  session: Session;
  lastChange: FeedChange | null;
}

export const AppContext = createContext<AppState>({ session: { name: null, role: 'reader' }, lastChange: null });
export const useApp = (): AppState => useContext(AppContext);
