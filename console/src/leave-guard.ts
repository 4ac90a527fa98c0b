// Unsaved edits: the open editor says whether it holds any; leaving the page (another address in
// the hash, a reload, closing the tab) then asks first.
let unsaved: (() => boolean) | null = null;

export const LEAVE_QUESTION = 'You have unsaved changes. Leave this page and discard them?';

/** The editor registers its check while it is shown; the returned function unregisters it. */
export const guardUnsaved = (check: () => boolean): (() => void) => {
  unsaved = check;
  return () => {
    if (unsaved === check) unsaved = null;
  };
};

/** Whether leaving may go ahead: true when nothing is unsaved or the user agrees to discard it. */
export const mayLeave = (): boolean => unsaved === null || !unsaved() || confirm(LEAVE_QUESTION);

addEventListener('beforeunload', (event) => {
  if (unsaved !== null && unsaved()) event.preventDefault();
});
