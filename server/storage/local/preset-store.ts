import { randomUUID } from 'node:crypto';
import type { Db } from './database.ts';
import type { PresetConfig } from '../../config.ts';
import type { PresetSettings } from './preset-settings.ts';

export interface Preset {
  name: string;
  unsigned: boolean;
  settings: PresetSettings;
  externalId: string;
  createdAt: string;
}

interface PresetRow {
  name: string;
  unsigned: number;
  settings: string;
  external_id: string;
  created_at: string;
}

const fromRow = (row: PresetRow): Preset => ({
  name: row.name,
  unsigned: row.unsigned === 1,
  settings: JSON.parse(row.settings) as PresetSettings,
  externalId: row.external_id,
  createdAt: row.created_at,
});

/** Upload presets of the local cloud (Admin API and Upload API read them here). */
export function createPresetStore(db: Db) {
  const selectOne = db.prepare<[string], PresetRow>('SELECT * FROM presets WHERE name = ?');
  const selectPage = db.prepare<[string, number], PresetRow>('SELECT * FROM presets WHERE name > ? ORDER BY name LIMIT ?');
  const insert = db.prepare('INSERT INTO presets (name, unsigned, settings, external_id, created_at) VALUES (?, ?, ?, ?, ?)');
  const update = db.prepare<[number, string, string]>('UPDATE presets SET unsigned = ?, settings = ? WHERE name = ?');
  const remove = db.prepare<[string]>('DELETE FROM presets WHERE name = ?');

  const get = (name: string): Preset | null => {
    const row = selectOne.get(name);
    return row ? fromRow(row) : null;
  };

  const create = (name: string, unsigned: boolean, settings: PresetSettings): Preset | null => {
    if (selectOne.get(name)) return null;
    insert.run(name, unsigned ? 1 : 0, JSON.stringify(settings), randomUUID(), new Date().toISOString());
    return get(name);
  };

  const save = (name: string, unsigned: boolean, settings: PresetSettings): Preset | null => {
    const changes = update.run(unsigned ? 1 : 0, JSON.stringify(settings), name).changes;
    return changes ? get(name) : null;
  };

  return {
    get,
    create,
    save,
    delete: (name: string): Preset | null => {
      const existing = get(name);
      if (existing) remove.run(name);
      return existing;
    },
    /** A page of presets by name; the cursor is the last name of the previous page. */
    list: (maxResults: number, cursor?: string) => {
      const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
      const rows = selectPage.all(after, maxResults + 1);
      const page = rows.slice(0, maxResults).map(fromRow);
      const last = page.at(-1);
      return { presets: page, nextCursor: rows.length > maxResults && last ? Buffer.from(last.name).toString('base64url') : null };
    },
    /** Presets from the configuration are the truth for their names: created or replaced at start-up. */
    syncFromConfig: (presets: PresetConfig[], parse: (settings: PresetConfig['settings']) => PresetSettings) => {
      db.transaction(() => {
        for (const preset of presets) {
          const settings = parse(preset.settings);
          if (!save(preset.name, preset.unsigned, settings)) create(preset.name, preset.unsigned, settings);
        }
      })();
    },
  };
}

export type PresetStore = ReturnType<typeof createPresetStore>;
