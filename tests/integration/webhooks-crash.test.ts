import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { makePng } from '../helpers/fixtures.ts';
import { postJson, signed } from '../helpers/http.ts';
import { TEST_ACCOUNT } from '../helpers/test-server.ts';
import { startReceiver, waitFor } from '../helpers/webhook-receiver.ts';

// F2/F10: the server is killed with SIGKILL while a delivery is in flight (its row says "sending"); the
// restarted server sends it again, and the receiver acknowledges it exactly once, with the same bytes.

const dataDir = mkdtempSync(join(tmpdir(), 'updraft-webhook-crash-'));
const configPath = join(dataDir, 'updraft.config.json');
writeFileSync(configPath, JSON.stringify({ remoteFetch: { allowAddresses: ['127.0.0.1'] }, durability: 'os' }));
const env = {
  DATA_DIR: join(dataDir, 'data'),
  UPDRAFT_CONFIG: configPath,
  CLOUDINARY_URL: `cloudinary://${TEST_ACCOUNT.apiKey}:${TEST_ACCOUNT.apiSecret}@demo`,
};

let child: ChildServer | null = null;
afterAll(() => {
  child?.process.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('kill -9 during a webhook delivery', () => {
  it('the delivery is resent after the restart and acknowledged exactly once', async () => {
    let acknowledged = 0;
    const hook = await startReceiver({ respond: () => undefined });
    try {
      child = await startChildServer(env);
      const png = `data:image/png;base64,${(await makePng(8, 8)).toString('base64')}`;
      const answer = await postJson(`${child.url}/v1_1/demo/image/upload`, Object.fromEntries([...signed({ notification_url: hook.url, public_id: 'crash/hooked' }), ['file', png]]));
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
      await waitFor(() => hook.holding === 1, 10_000, 'delivery in flight');

      child.process.kill('SIGKILL');
      expect(await child.exited).toBe('SIGKILL');
      hook.respond = (_hit, res) => {
        acknowledged++;
        res.end('ok');
      };

      child = await startChildServer(env);
      await waitFor(() => acknowledged === 1, 10_000, 'delivery after restart');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(acknowledged).toBe(1);
      expect(hook.hits).toHaveLength(2);
      expect(hook.hits[1]!.body).toBe(hook.hits[0]!.body);
      expect(JSON.parse(hook.hits[1]!.body)).toMatchObject({ public_id: 'crash/hooked', asset_id: answer.json.asset_id });

      child.process.kill('SIGTERM');
      await child.exited;
      child = null;
      const db = new Database(join(env.DATA_DIR, 'updraft.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT state, attempts FROM webhooks').all()).toEqual([{ state: 'delivered', attempts: 2 }]);
      } finally {
        db.close();
      }
    } finally {
      await hook.close();
    }
  });
});
