const MAX_FOLDER_DEPTH = 10;
const MAX_FOLDER_FILES = 1000;

/** Reads every file of a dropped folder (breadth-limited and depth-limited). */
async function filesOfEntry(entry: FileSystemEntry, depth: number, out: File[]): Promise<void> {
  if (out.length >= MAX_FOLDER_FILES) return;
  if (entry.isFile) {
    out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    return;
  }
  if (!entry.isDirectory || depth >= MAX_FOLDER_DEPTH) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns batches until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await filesOfEntry(child, depth + 1, out);
  }
}

async function filesOfDrop(data: DataTransfer): Promise<File[]> {
  const entries = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.())
    .filter((entry): entry is FileSystemEntry => !!entry);
  if (entries.length === 0) return Array.from(data.files);
  const files: File[] = [];
  for (const entry of entries) await filesOfEntry(entry, 0, files);
  return files;
}

/**
 * My Files: the Browse button's input, drag and drop anywhere in the frame (files and folders), and paste.
 */
export function attachLocalSource(root: Document, onFiles: (files: File[]) => void): void {
  const input = root.querySelector<HTMLInputElement>('[data-file-input]');
  const overlay = root.querySelector<HTMLElement>('[data-drop-overlay]');
  input?.addEventListener('change', () => {
    if (input.files?.length) onFiles(Array.from(input.files));
    input.value = '';
  });

  let depth = 0;
  const showOverlay = (visible: boolean) => {
    if (overlay) overlay.hidden = !visible;
    root.body.classList.toggle('uw-dragging', visible);
  };
  root.addEventListener('dragenter', (event) => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    depth++;
    showOverlay(true);
  });
  root.addEventListener('dragover', (event) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  });
  root.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) showOverlay(false);
  });
  root.addEventListener('drop', (event) => {
    if (!event.dataTransfer) return;
    event.preventDefault();
    depth = 0;
    showOverlay(false);
    void filesOfDrop(event.dataTransfer).then((files) => files.length && onFiles(files));
  });
  root.addEventListener('paste', (event) => {
    const target = event.target as HTMLElement | null;
    if (target?.matches('input[type="text"], textarea')) return;
    const files = Array.from(event.clipboardData?.files ?? []);
    if (files.length) {
      event.preventDefault();
      onFiles(files);
    }
  });
}
