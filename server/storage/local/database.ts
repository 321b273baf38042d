import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';

export type { Db };

/** Each entry moves the schema one version up; never edit an entry once released, add a new one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE assets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_id TEXT NOT NULL UNIQUE,
    resource_type TEXT NOT NULL,
    type TEXT NOT NULL,
    public_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    version_id TEXT NOT NULL,
    format TEXT,
    mime_type TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    pages INTEGER,
    etag TEXT NOT NULL,
    file TEXT NOT NULL,
    created_at TEXT NOT NULL,
    original_filename TEXT,
    original_extension TEXT,
    folder TEXT NOT NULL DEFAULT '',
    asset_folder TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    context TEXT NOT NULL DEFAULT '{}',
    custom_coordinates TEXT,
    face_coordinates TEXT,
    UNIQUE (resource_type, type, public_id)
  );
  CREATE TABLE asset_tags (
    asset_id TEXT NOT NULL REFERENCES assets(asset_id) ON DELETE CASCADE,
    resource_type TEXT NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (asset_id, tag)
  );
  CREATE INDEX asset_tags_by_tag ON asset_tags (resource_type, tag);
  CREATE TABLE presets (
    name TEXT PRIMARY KEY,
    unsigned INTEGER NOT NULL,
    settings TEXT NOT NULL,
    external_id TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE chunk_uploads (
    key TEXT PRIMARY KEY,
    resource_type TEXT NOT NULL,
    bound_params TEXT NOT NULL,
    total INTEGER,
    state TEXT NOT NULL,
    result TEXT,
    final_start INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE chunk_parts (
    key TEXT NOT NULL REFERENCES chunk_uploads(key) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (key, start)
  );
  CREATE TABLE delete_tokens (
    token TEXT PRIMARY KEY,
    asset_id TEXT NOT NULL,
    version_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  `,
  `
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX webhooks_due ON webhooks (state, next_attempt_at);
  `,
];

/** Opens (creating if needed) the local cloud's database and brings its schema up to date. */
export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`Database schema version ${current} is newer than this Updraft (${MIGRATIONS.length}); upgrade Updraft`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
