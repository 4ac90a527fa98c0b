import { readOnlyStore } from '../domain/errors.js';

/**
 * Holds writes until a check settles (serve's chain check: `RegistryStore.writesWaitFor`), then
 * runs them unless the store refuses writes by then (`readOnly`, asked after the wait).
 */
export const createWriteGate = (readOnly: () => string | undefined) => {
  let gate: Promise<void> | undefined;
  const refuseOrWrite = <T>(write: () => Promise<T>): Promise<T> => {
    const reason = readOnly();
    return reason !== undefined ? Promise.reject(readOnlyStore(reason)) : write();
  };
  return {
    gated: <T>(write: () => Promise<T>): Promise<T> => (gate === undefined ? refuseOrWrite(write) : gate.then(() => refuseOrWrite(write))),
    waitFor: (check: Promise<void>): void => {
      const opened = check.then(
        () => {
          if (gate === opened) gate = undefined;
        },
        () => {
          if (gate === opened) gate = undefined;
        },
      );
      gate = opened;
    },
  };
};
