import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Db } from './database.ts';
import type { AssetRecord, DeliveryType, ResourceType } from '../types.ts';
import { syncFile, syncDirectory } from './durable-fs.ts';

interface AssetRow {
  asset_id: string;
  resource_type: ResourceType;
  type: DeliveryType;
  public_id: string;
  version: number;
  version_id: string;
  format: string | null;
  mime_type: string;
  bytes: number;
  width: number | null;
  height: number | null;
  pages: number | null;
  etag: string;
  file: string;
  created_at: string;
  original_filename: string | null;
  original_extension: string | null;
  folder: string;
  asset_folder: string;
  display_name: string;
  tags: string;
  context: string;
  custom_coordinates: string | null;
  face_coordinates: string | null;
}

const fromRow = (row: AssetRow): AssetRecord => ({
  assetId: row.asset_id,
  resourceType: row.resource_type,
  type: row.type,
  publicId: row.public_id,
  version: row.version,
  versionId: row.version_id,
  format: row.format,
  mimeType: row.mime_type,
  bytes: row.bytes,
  width: row.width,
  height: row.height,
  pages: row.pages,
  etag: row.etag,
  file: row.file,
  createdAt: row.created_at,
  originalFilename: row.original_filename,
  originalExtension: row.original_extension,
  folder: row.folder,
  assetFolder: row.asset_folder,
  displayName: row.display_name,
  tags: JSON.parse(row.tags) as string[],
  context: JSON.parse(row.context) as Record<string, string>,
  customCoordinates: row.custom_coordinates,
  faceCoordinates: row.face_coordinates,
});

const toRow = (record: AssetRecord): AssetRow => ({
  asset_id: record.assetId,
  resource_type: record.resourceType,
  type: record.type,
  public_id: record.publicId,
  version: record.version,
  version_id: record.versionId,
  format: record.format,
  mime_type: record.mimeType,
  bytes: record.bytes,
  width: record.width,
  height: record.height,
  pages: record.pages,
  etag: record.etag,
  file: record.file,
  created_at: record.createdAt,
  original_filename: record.originalFilename,
  original_extension: record.originalExtension,
  folder: record.folder,
  asset_folder: record.assetFolder,
  display_name: record.displayName,
  tags: JSON.stringify(record.tags),
  context: JSON.stringify(record.context),
  custom_coordinates: record.customCoordinates,
  face_coordinates: record.faceCoordinates,
});

const COLUMNS = Object.keys(toRow({} as AssetRecord));

export interface ListQuery {
  resourceType?: ResourceType;
  type?: DeliveryType;
  prefix?: string;
  tag?: string;
  publicIds?: string[];
  maxResults: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface CommitOutcome {
  record: AssetRecord;
  /** true when overwrite was off and the public id already existed: nothing was stored. */
  existing: boolean;
}

export interface CommitOptions {
  overwrite: boolean;
  link?: boolean;
  onCommit?: (record: AssetRecord) => void;
}

export interface AssetStoreOptions {
  db: Db;
  assetsDir: string;
  durable: boolean;
  /** Called once an asset is gone, or a version replaced, so files derived from it go too. */
  onRemoved?: (record: AssetRecord) => void;
  onReplaced?: (previous: AssetRecord) => void;
}

/** Asset bytes on disk plus their rows: the one place that publishes, replaces and removes assets. */
export function createAssetStore({ db, assetsDir, durable, onRemoved, onReplaced }: AssetStoreOptions) {
  mkdirSync(assetsDir, { recursive: true });
  const selectOne = db.prepare<[string, string, string], AssetRow>(
    'SELECT * FROM assets WHERE resource_type = ? AND type = ? AND public_id = ?',
  );
  const selectById = db.prepare<[string], AssetRow>('SELECT * FROM assets WHERE asset_id = ?');
  const insert = db.prepare(`INSERT INTO assets (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`);
  const update = db.prepare(`UPDATE assets SET ${COLUMNS.filter((c) => c !== 'asset_id').map((c) => `${c} = @${c}`).join(', ')} WHERE asset_id = @asset_id`);
  const deleteRow = db.prepare<[string]>('DELETE FROM assets WHERE asset_id = ?');
  const deleteTags = db.prepare<[string]>('DELETE FROM asset_tags WHERE asset_id = ?');
  const insertTag = db.prepare<[string, string, string]>('INSERT OR IGNORE INTO asset_tags (asset_id, resource_type, tag) VALUES (?, ?, ?)');

  const pathOf = (record: Pick<AssetRecord, 'file'>) => join(assetsDir, record.file);
  const fileNameFor = (assetId: string, versionId: string) => join(assetId.slice(0, 2), `${assetId}.${versionId}`);

  const writeTags = (record: AssetRecord) => {
    deleteTags.run(record.assetId);
    for (const tag of record.tags) insertTag.run(record.assetId, record.resourceType, tag);
  };

  const find = (resourceType: ResourceType, type: DeliveryType, publicId: string): AssetRecord | null => {
    const row = selectOne.get(resourceType, type, publicId);
    return row ? fromRow(row) : null;
  };

  /**
   * Publishes `sourcePath` as the asset: file into place, then the row, in one synchronous step so no reader
   * sees a partial asset and concurrent uploads of one public id cannot interleave. `link` keeps the source
   * (a chunked upload's data file stays until its upload is marked done); `onCommit` runs inside the row's
   * transaction so related state commits with it or not at all.
   */
  const commit = async (draft: Omit<AssetRecord, 'file' | 'assetId'>, sourcePath: string, options: CommitOptions): Promise<CommitOutcome> => {
    if (durable) await syncFile(sourcePath);
    const previous = find(draft.resourceType, draft.type, draft.publicId);
    if (previous && !options.overwrite) {
      if (!options.link) rmSync(sourcePath, { force: true });
      return { record: previous, existing: true };
    }
    const assetId = previous?.assetId ?? randomBytes(16).toString('hex');
    const record: AssetRecord = {
      ...draft,
      assetId,
      file: fileNameFor(assetId, draft.versionId),
      // A replaced asset gets a strictly newer version so versioned URLs and caches change.
      version: previous ? Math.max(draft.version, previous.version + 1) : draft.version,
    };
    const target = pathOf(record);
    mkdirSync(dirname(target), { recursive: true });
    if (options.link) linkSync(sourcePath, target);
    else renameSync(sourcePath, target);
    try {
      db.transaction(() => {
        if (previous) update.run(toRow(record));
        else insert.run(toRow(record));
        writeTags(record);
        options.onCommit?.(record);
      })();
    } catch (error) {
      rmSync(target, { force: true });
      throw error;
    }
    if (durable) await syncDirectory(dirname(target));
    if (previous) {
      await rm(pathOf(previous), { force: true });
      onReplaced?.(previous);
    }
    return { record, existing: false };
  };

  /** Deletes the row, then the file: unlinking a large file takes a while, so it runs off the event loop. */
  const remove = async (record: AssetRecord): Promise<void> => {
    db.transaction(() => {
      deleteRow.run(record.assetId);
    })();
    await rm(pathOf(record), { force: true });
    onRemoved?.(record);
  };

  const list = (query: ListQuery): { records: AssetRecord[]; nextCursor: string | null } => {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.resourceType) where.push('a.resource_type = ?'), args.push(query.resourceType);
    if (query.type) where.push('a.type = ?'), args.push(query.type);
    if (query.prefix) where.push("a.public_id LIKE ? ESCAPE '\\'"), args.push(`${escapeLike(query.prefix)}%`);
    if (query.tag) where.push('a.asset_id IN (SELECT asset_id FROM asset_tags WHERE tag = ?)'), args.push(query.tag);
    if (query.publicIds) where.push(`a.public_id IN (${query.publicIds.map(() => '?').join(', ') || "''"})`), args.push(...query.publicIds);
    const after = decodeCursor(query.cursor);
    if (after !== null) where.push('a.seq < ?'), args.push(after);
    const sql = `SELECT a.*, a.seq AS seq FROM assets a ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.seq DESC LIMIT ?`;
    const rows = db.prepare<unknown[], AssetRow & { seq: number }>(sql).all(...args, query.maxResults + 1);
    const page = rows.slice(0, query.maxResults);
    const last = page.at(-1);
    return { records: page.map(fromRow), nextCursor: rows.length > query.maxResults && last ? encodeCursor(last.seq) : null };
  };

  const listTags = (resourceType: ResourceType, prefix: string | undefined, maxResults: number, cursor?: string) => {
    const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
    const rows = db
      .prepare<[string, string, string, number], { tag: string }>(
        "SELECT DISTINCT tag FROM asset_tags WHERE resource_type = ? AND tag LIKE ? ESCAPE '\\' AND tag > ? ORDER BY tag LIMIT ?",
      )
      .all(resourceType, `${escapeLike(prefix ?? '')}%`, after, maxResults + 1);
    const tags = rows.slice(0, maxResults).map((row) => row.tag);
    const last = tags.at(-1);
    return { tags, nextCursor: rows.length > maxResults && last ? Buffer.from(last).toString('base64url') : null };
  };

  return {
    assetsDir,
    pathOf,
    find,
    findById: (assetId: string) => {
      const row = selectById.get(assetId);
      return row ? fromRow(row) : null;
    },
    commit,
    remove,
    list,
    listTags,
  };
}

export type AssetStore = ReturnType<typeof createAssetStore>;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');
const encodeCursor = (seq: number) => Buffer.from(`s${seq}`).toString('base64url');

function decodeCursor(cursor: string | undefined): number | null {
  if (!cursor) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = /^s(\d{1,15})$/.exec(text)?.[1];
  return seq === undefined ? null : Number(seq);
}
