// What an import did while the query dialog is open, so Cancel can take it back: the nodes it
// added (undone through Node-RED's history, as Ctrl+Z would) and the datasources whose
// credentials it changed (restored). Done keeps all of it, and warns when credentials the
// command carried were never put anywhere.
let undos: Array<() => void> = [];
/** Credentials an import found that no datasource holds yet: the base URL they were for. */
let unkept: string | undefined;

export function beginImportSession(): void {
  undos = [];
  unkept = undefined;
}

/** Remember how to take back one change of the import. */
export function onCancel(undo: () => void): void {
  undos.push(undo);
}

/** Undo a history event the import pushed, if nothing was done on top of it since. */
export function undoEvent(event: Record<string, unknown>, fallback: () => void): void {
  onCancel(() => {
    if (RED.history.peek() === event) RED.history.pop();
    else fallback();
  });
}

export function credentialsUnkept(baseUrl: string | undefined): void {
  unkept = baseUrl;
}

/** Cancel: undo everything the import did, newest first. */
export function rollbackImport(): void {
  for (const undo of undos.reverse()) undo();
  undos = [];
  unkept = undefined;
  RED.view.redraw(true);
}

/** Done: keep what the import did; the base URL of credentials that were not kept, if any. */
export function commitImport(): string | undefined {
  const left = unkept;
  undos = [];
  unkept = undefined;
  return left;
}
