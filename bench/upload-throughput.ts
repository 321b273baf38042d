/**
 * Upload throughput benchmark (`npm run bench:upload`).
 *
 * Measures, in one run:
 *  1. a chunked upload to the local cloud exactly as the Node SDK's `upload_large` sends it (sequential parts,
 *     `X-Unique-Upload-Id`, `Content-Range: bytes s-e/-1` then the real total on the last part, every part
 *     re-signed with a fresh timestamp), end to end including the final response, whose etag and byte count
 *     are checked against the client's own MD5;
 *  2. the raw streaming ceiling: the same request bodies POSTed to a minimal Node handler that only writes
 *     the bytes to a file on the same disk (and, like the server in "fsync" mode, flushes it before answering);
 *  3. their ratio, and 4. the server's peak RSS growth during the chunked upload (VmRSS sampled every 100 ms).
 *
 * Both targets are child processes on 127.0.0.1 with fresh temp directories. After a short warm-up, ceiling and
 * chunked runs alternate for `--rounds` rounds (default 3) and the medians are compared. CPU seconds per
 * process (and per server thread) are printed too: on a small machine the client and the server share the cores.
 *
 * Usage: npx tsx bench/upload-throughput.ts [--size <MiB>] [--part <bytes>] [--durability os|fsync] [--rounds <n>] [--profile <dir>]
 * (`--profile` writes V8 CPU profiles of the server's threads to <dir>, for Chrome DevTools.)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signParams } from '../server/services/signing.ts';

const MiB = 1024 * 1024;
const MB = 1_000_000;
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const ACCOUNT = { cloudName: 'demo', apiKey: '614335564976464', apiSecret: 'bench-secret-not-for-production' };
const UPLOAD_PATH = `/v1_1/${ACCOUNT.cloudName}/raw/upload`;
const DESTROY_PATH = `/v1_1/${ACCOUNT.cloudName}/raw/destroy`;
const RATIO_TARGET = 0.8;
const RSS_TARGET_MIB = 100;
const RSS_SAMPLE_MS = 100;

type Durability = 'os' | 'fsync';

interface Options {
  totalBytes: number;
  partBytes: number;
  /** null: the server's default (no `durability` key in its config). */
  durability: Durability | null;
  rounds: number;
  /** Directory for the server's V8 CPU profiles, or null. */
  profileDir: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// Command line

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string', default: '1024' },
      part: { type: 'string', default: '20000000' },
      durability: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npx tsx bench/upload-throughput.ts [--size <MiB>] [--part <bytes>] [--durability os|fsync] [--rounds <n>] [--profile <dir>]');
    process.exit(0);
  }
  const sizeMiB = Number(values.size);
  const partBytes = Number(values.part);
  const rounds = Number(values.rounds);
  if (!(sizeMiB > 0) || !Number.isSafeInteger(Math.round(sizeMiB * MiB))) fail(`--size must be a positive number of MiB (got ${values.size})`);
  if (!Number.isSafeInteger(partBytes) || partBytes < 8) fail(`--part must be an integer number of bytes, at least 8 (got ${values.part})`);
  if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds must be a positive integer (got ${values.rounds})`);
  const durability = values.durability;
  if (durability !== undefined && durability !== 'os' && durability !== 'fsync') fail(`--durability must be "os" or "fsync" (got ${durability})`);
  return { totalBytes: Math.round(sizeMiB * MiB), partBytes, durability: durability ?? null, rounds, profileDir: values.profile ?? null };
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------
// Payload: one part-sized buffer of random bytes, stamped with the part index so that parts differ

interface Part {
  index: number;
  start: number;
  /** Inclusive, as in Content-Range. */
  end: number;
  last: boolean;
}

function partsOf(totalBytes: number, partBytes: number): Part[] {
  const parts: Part[] = [];
  for (let start = 0, index = 0; start < totalBytes; start += partBytes, index++) {
    const end = Math.min(start + partBytes, totalBytes) - 1;
    parts.push({ index, start, end, last: end + 1 === totalBytes });
  }
  return parts;
}

class PartSource {
  private readonly buffer: Buffer;

  constructor(partBytes: number) {
    this.buffer = randomBytes(partBytes);
  }

  /** The bytes of `part`; a view of the shared buffer, valid until the next call. */
  bytes(part: Part): Buffer {
    this.buffer.writeBigUInt64BE(BigInt(part.index), 0);
    return this.buffer.subarray(0, part.end - part.start + 1);
  }

  /** MD5 of a whole upload, computed part by part (never more than one part in memory). */
  md5(parts: Part[]): string {
    const hash = createHash('md5');
    for (const part of parts) hash.update(this.bytes(part));
    return hash.digest('hex');
  }
}

// ---------------------------------------------------------------------------------------------------------
// HTTP client

interface Target {
  name: string;
  port: number;
  agent: http.Agent;
}

interface Reply {
  status: number;
  text: string;
}

function post(target: Target, path: string, headers: http.OutgoingHttpHeaders, body: readonly Buffer[]): Promise<Reply> {
  const length = body.reduce((sum, piece) => sum + piece.length, 0);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: HOST, port: target.port, path, method: 'POST', agent: target.agent, headers: { ...headers, 'Content-Length': length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    for (const piece of body) request.write(piece);
    request.end();
  });
}

/** A multipart/form-data body around one file part: the fields first (as the SDK sends them), then `file`. */
function multipartFrame(fields: ReadonlyArray<readonly [string, string]>, boundary: string): { head: Buffer; tail: Buffer } {
  let head = '';
  for (const [name, value] of fields) head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { head: Buffer.from(head, 'utf8'), tail: Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8') };
}

const unixTime = () => Math.floor(Date.now() / 1000);

interface UploadRun {
  seconds: number;
  /** Request body bytes sent (file bytes plus multipart framing). */
  bodyBytes: number;
  /** Time from sending the last part to its response (includes the server's finalize). */
  finalPartMs: number;
  final: Record<string, unknown>;
}

/** Sends one file in sequential parts the way `cloudinary.uploader.upload_large` does. */
async function chunkedUpload(target: Target, parts: Part[], source: PartSource, publicId: string): Promise<UploadRun> {
  const uploadId = randomBytes(12).toString('hex');
  const totalBytes = parts.at(-1)!.end + 1;
  let final: Record<string, unknown> = {};
  let finalPartMs = 0;
  let bodyBytes = 0;
  const started = performance.now();
  for (const part of parts) {
    const timestamp = String(unixTime());
    const signature = signParams({ timestamp, public_id: publicId }, ACCOUNT.apiSecret);
    const boundary = `----UpdraftBench${randomBytes(8).toString('hex')}`;
    const { head, tail } = multipartFrame(
      [
        ['public_id', publicId],
        ['timestamp', timestamp],
        ['api_key', ACCOUNT.apiKey],
        ['signature', signature],
      ],
      boundary,
    );
    const headers = {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'X-Unique-Upload-Id': uploadId,
      'Content-Range': `bytes ${part.start}-${part.end}/${part.last ? totalBytes : -1}`,
    };
    const body = [head, source.bytes(part), tail];
    bodyBytes += head.length + body[1]!.length + tail.length;
    const sent = performance.now();
    const reply = await post(target, UPLOAD_PATH, headers, body);
    if (reply.status !== 200) throw new Error(`${target.name}: part ${part.index} got HTTP ${reply.status}: ${reply.text.slice(0, 500)}`);
    if (part.last) {
      finalPartMs = performance.now() - sent;
      final = JSON.parse(reply.text) as Record<string, unknown>;
    }
  }
  return { seconds: (performance.now() - started) / 1000, bodyBytes, finalPartMs, final };
}

async function destroyAsset(target: Target, publicId: string): Promise<void> {
  const timestamp = String(unixTime());
  const form = new URLSearchParams({ public_id: publicId, timestamp, api_key: ACCOUNT.apiKey, signature: signParams({ timestamp, public_id: publicId }, ACCOUNT.apiSecret) });
  const reply = await post(target, DESTROY_PATH, { 'Content-Type': 'application/x-www-form-urlencoded' }, [Buffer.from(form.toString())]);
  if (reply.status !== 200) throw new Error(`destroy ${publicId}: HTTP ${reply.status}: ${reply.text.slice(0, 200)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Child processes

/** The raw ceiling: appends each request body to a file per upload id, no parsing; plain Node, no tsx. */
const RAW_SINK_SOURCE = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const dir = process.env.SINK_DIR;
const fsync = process.env.SINK_FSYNC === '1';
const server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 5000 }, async (req, res) => {
  const file = path.join(dir, String(req.headers['x-unique-upload-id'] || 'body').replace(/[^A-Za-z0-9_-]/g, '_'));
  try {
    await pipeline(req, fs.createWriteStream(file, { flags: 'a' }));
    if (fsync) {
      const handle = await fs.promises.open(file, 'r+');
      try { await handle.datasync(); } finally { await handle.close(); }
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ bytes: fs.statSync(file).size }));
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => console.log('listening on port ' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

interface Child {
  process: ChildProcess;
  pid: number;
  port: number;
  stderr: () => string;
}

/** Every child spawned and not yet exited, so that nothing outlives the benchmark. */
const liveChildren = new Set<ChildProcess>();

/** Spawns a child and resolves once a stdout line matches `ready` (its first group, if any, is the port). */
function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, port: number | null): Promise<Child> {
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  let stdout = '';
  let stderr = '';
  // Both streams keep being drained (and their tails kept for error messages) for the child's whole life.
  child.stdout!.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString('utf8')).slice(-4000)));
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}) before it was ready\n${stdout}${stderr}`));
    };
    const onError = (error: Error) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      reject(new Error(`${name} could not be started: ${error.message}`));
    };
    const onOutput = () => {
      const match = ready.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      child.stdout!.off('data', onOutput);
      resolve({ process: child, pid: child.pid!, port: port ?? Number(match[1]), stderr: () => stderr });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 30 s\n${stdout}${stderr}`));
    }, 30_000);
    child.once('exit', onExit);
    child.once('error', onError);
    child.stdout!.on('data', onOutput);
  });
}

/** Stops every child gracefully (SIGTERM, SIGKILL after 15 s). */
async function stopChildren(): Promise<void> {
  await Promise.all(
    [...liveChildren].map(async (child) => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Started as `node --import tsx` so the pid we sample is the server itself, not an `npx`/`tsx` wrapper. */
async function startServer(dataDir: string, configPath: string, profileDir: string | null): Promise<Child> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST,
    CLOUDINARY_URL: `cloudinary://${ACCOUNT.apiKey}:${ACCOUNT.apiSecret}@${ACCOUNT.cloudName}`,
    UPDRAFT_CONFIG: configPath,
  };
  delete env.PUBLIC_URL;
  delete env.UPLOAD_TARGET;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  return startChild('Updraft server', process.execPath, [...profile, '--import', 'tsx', 'server/main.ts'], env, /Updraft listening on /, port);
}

function startRawSink(dir: string, fsync: boolean): Promise<Child> {
  const env = { ...process.env, SINK_DIR: dir, SINK_FSYNC: fsync ? '1' : '0' };
  return startChild('raw sink', process.execPath, ['-e', RAW_SINK_SOURCE], env, /listening on port (\d+)/, null);
}

// ---------------------------------------------------------------------------------------------------------
// Process sampling (/proc): resident memory and CPU time per thread

function readRssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS every 100 ms; growth = peak − the RSS read when sampling started. */
function sampleRss(pid: number) {
  const baseline = readRssBytes(pid);
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, readRssBytes(pid));
  }, RSS_SAMPLE_MS);
  return {
    stop(): { baseline: number; peak: number } {
      clearInterval(timer);
      peak = Math.max(peak, readRssBytes(pid));
      return { baseline, peak };
    },
  };
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ThreadStat {
  cpuSeconds: number;
  /** Scheduling priority, -20 (first) to 19. */
  nice: number;
}

/** utime + stime in seconds, and the nice value, of every thread of `pid`, by thread id. */
function threadStats(pid: number): Map<number, ThreadStat> {
  const threads = new Map<number, ThreadStat>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // Fields after "(comm) ": state is field 3, utime 14, stime 15 and nice 19 (man 5 proc).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    threads.set(Number(tid), { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS, nice: Number(fields[16]) });
  }
  return threads;
}

interface CpuUsage {
  total: number;
  /** The thread whose id is the pid: the JavaScript event loop. */
  main: number;
  /** In the server this is the MD5 worker thread; the rest are libuv's pool (file writes) and V8's (GC). */
  busiestOther: number;
  /** The nice value of that thread, and of the main thread. */
  busiestOtherNice: number;
  mainNice: number;
}

/** CPU seconds a process spent since `before` (a threadStats snapshot). */
function cpuSince(pid: number, before: Map<number, ThreadStat>): CpuUsage {
  const usage: CpuUsage = { total: 0, main: 0, busiestOther: 0, busiestOtherNice: 0, mainNice: 0 };
  for (const [tid, { cpuSeconds, nice }] of threadStats(pid)) {
    const spent = cpuSeconds - (before.get(tid)?.cpuSeconds ?? 0);
    usage.total += spent;
    if (tid === pid) Object.assign(usage, { main: spent, mainNice: nice });
    else if (spent > usage.busiestOther) Object.assign(usage, { busiestOther: spent, busiestOtherNice: nice });
  }
  return usage;
}

// ---------------------------------------------------------------------------------------------------------
// Measurement

interface Measurement {
  mbPerSecond: number;
  /** Time from sending the last part to its response. */
  finalPartMs: number;
  /** CPU time of the target process during the run. */
  cpu: CpuUsage;
  /** CPU time of this client process during the run (it shares the machine with the target). */
  clientCpuSeconds: number;
  /** Busy CPU time of the whole machine during the run: both processes plus the kernel's own threads (writeback, journal). */
  machineCpuSeconds: number;
}

interface ServerMeasurement extends Measurement {
  rssBaselineMiB: number;
  rssGrowthMiB: number;
}

/** Busy (non-idle, non-iowait) CPU seconds of the whole machine since boot, from the first line of /proc/stat. */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/** Flushes dirty pages so every timed run starts from the same page-cache state. */
const flushDisks = () => execFileSync('sync');

/** One timed upload to `target` with CPU accounting for both ends. */
async function timedUpload(target: Target, pid: number, parts: Part[], source: PartSource, publicId: string) {
  flushDisks();
  const cpuBefore = threadStats(pid);
  const clientBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const run = await chunkedUpload(target, parts, source, publicId);
  const client = process.cpuUsage(clientBefore);
  const totalBytes = parts.at(-1)!.end + 1;
  const measurement: Measurement = {
    mbPerSecond: totalBytes / MB / run.seconds,
    finalPartMs: run.finalPartMs,
    cpu: cpuSince(pid, cpuBefore),
    clientCpuSeconds: (client.user + client.system) / 1e6,
    machineCpuSeconds: machineBusySeconds() - machineBefore,
  };
  return { run, measurement, totalBytes };
}

async function measureCeiling(target: Target, sink: Child, sinkDir: string, parts: Part[], source: PartSource): Promise<Measurement> {
  const { run, measurement } = await timedUpload(target, sink.pid, parts, source, 'ceiling');
  if (run.final.bytes !== run.bodyBytes) throw new Error(`raw sink stored ${String(run.final.bytes)} bytes, expected ${run.bodyBytes}`);
  rmSync(sinkDir, { recursive: true, force: true });
  mkdirSync(sinkDir);
  return measurement;
}

async function measureServer(target: Target, server: Child, parts: Part[], source: PartSource, md5: string, publicId: string): Promise<ServerMeasurement> {
  const rss = sampleRss(server.pid);
  let timed: Awaited<ReturnType<typeof timedUpload>>;
  let memory: { baseline: number; peak: number };
  try {
    timed = await timedUpload(target, server.pid, parts, source, publicId);
  } finally {
    memory = rss.stop();
  }
  const { run, measurement, totalBytes } = timed;
  if (run.final.etag !== md5) throw new Error(`server etag ${String(run.final.etag)} differs from the client's MD5 ${md5}`);
  if (run.final.bytes !== totalBytes) throw new Error(`server reported ${String(run.final.bytes)} bytes, expected ${totalBytes}`);
  if (run.final.public_id !== publicId) throw new Error(`server answered public_id ${String(run.final.public_id)}, expected ${publicId}`);
  await destroyAsset(target, publicId);
  return { ...measurement, rssBaselineMiB: memory.baseline / MiB, rssGrowthMiB: (memory.peak - memory.baseline) / MiB };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// ---------------------------------------------------------------------------------------------------------
// Report

interface Report {
  durabilityLabel: string;
  ceiling: Measurement[];
  server: ServerMeasurement[];
  md5Info: string;
  seconds: number;
}

function printReport({ durabilityLabel, ceiling, server, md5Info, seconds }: Report) {
  const fmt = (value: number, digits = 1) => value.toFixed(digits);
  const row = (label: string, cells: string[]) => console.log(label.padEnd(40) + cells.map((cell) => cell.padStart(10)).join(''));
  /** One row: a value per round, then their median (or another summary). */
  const series = <M extends Measurement>(label: string, runs: M[], value: (m: M) => number, digits = 1, summary = fmt(median(runs.map(value)), digits)) =>
    row(label, [...runs.map((m) => fmt(value(m), digits)), summary]);

  const ceilingMedian = median(ceiling.map((m) => m.mbPerSecond));
  const serverMedian = median(server.map((m) => m.mbPerSecond));
  const ratio = serverMedian / ceilingMedian;
  const worstRss = Math.max(...server.map((m) => m.rssGrowthMiB));
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

  console.log('');
  row('', [...ceiling.map((_, i) => `round ${i + 1}`), 'median']);
  series('raw streaming ceiling (MB/s)', ceiling, (m) => m.mbPerSecond);
  series('chunked upload, end to end (MB/s)', server, (m) => m.mbPerSecond);
  row('ratio chunked / ceiling', [...server.map((m, i) => fmt(m.mbPerSecond / ceiling[i]!.mbPerSecond, 3)), fmt(ratio, 3)]);
  series('last part latency, ceiling (ms)', ceiling, (m) => m.finalPartMs, 0);
  series('last part latency, server (ms)', server, (m) => m.finalPartMs, 0);
  series('server RSS before upload (MiB)', server, (m) => m.rssBaselineMiB);
  series('server peak RSS growth (MiB)', server, (m) => m.rssGrowthMiB, 1, `max ${fmt(worstRss)}`);
  series('CPU s, raw sink, all threads', ceiling, (m) => m.cpu.total, 2);
  series('CPU s, server, all threads', server, (m) => m.cpu.total, 2);
  series('CPU s, server, main thread', server, (m) => m.cpu.main, 2);
  series('CPU s, server, busiest other (MD5)', server, (m) => m.cpu.busiestOther, 2);
  series('nice, server main thread', server, (m) => m.cpu.mainNice, 0);
  series('nice, server MD5 thread', server, (m) => m.cpu.busiestOtherNice, 0);
  series('CPU s, server, remaining (I/O, GC)', server, (m) => m.cpu.total - m.cpu.main - m.cpu.busiestOther, 2);
  series('CPU s, client, during chunked run', server, (m) => m.clientCpuSeconds, 2);
  series('CPU s, whole machine, ceiling run', ceiling, (m) => m.machineCpuSeconds, 2);
  series('CPU s, whole machine, chunked run', server, (m) => m.machineCpuSeconds, 2);
  console.log('');
  console.log(`ratio            ${fmt(ratio, 3)}  (target >= ${RATIO_TARGET})   ${verdict(ratio >= RATIO_TARGET)}`);
  console.log(`peak RSS growth  ${fmt(worstRss)} MiB  (target < ${RSS_TARGET_MIB} MiB)   ${verdict(worstRss < RSS_TARGET_MIB)}`);
  console.log('');
  console.log(`durability ${durabilityLabel}; ${md5Info}; MB = 10^6 bytes; total run ${fmt(seconds)} s`);
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const began = performance.now();
  const parts = partsOf(options.totalBytes, options.partBytes);
  const warmupParts = partsOf(Math.min(options.totalBytes, 2 * options.partBytes), options.partBytes);
  const source = new PartSource(options.partBytes);
  const durabilityLabel = options.durability ?? 'fsync (server default)';
  const cpus = os.cpus();

  console.log('Updraft upload throughput: chunked upload vs raw streaming ceiling');
  console.log(
    `file ${(options.totalBytes / MiB).toFixed(0)} MiB (${options.totalBytes.toLocaleString('en-US')} bytes) in ${parts.length} parts of ` +
      `${options.partBytes.toLocaleString('en-US')} bytes; durability: ${durabilityLabel}; rounds: ${options.rounds}`,
  );
  console.log(`machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);

  // The expected MD5 is computed before any timed run so hashing on the client does not compete with the server for CPU.
  const hashStart = performance.now();
  const md5 = source.md5(parts);
  const hashSeconds = (performance.now() - hashStart) / 1000;
  const md5Info = `client MD5 ${md5} (${(options.totalBytes / MB / hashSeconds).toFixed(0)} MB/s, computed before timing)`;

  const tempRoot = mkdtempSync(join(os.tmpdir(), 'updraft-bench-'));
  const serverDir = join(tempRoot, 'server-data');
  const sinkDir = join(tempRoot, 'sink-data');
  const configPath = join(tempRoot, 'updraft.config.json');
  mkdirSync(serverDir);
  mkdirSync(sinkDir);
  writeFileSync(configPath, JSON.stringify(options.durability ? { durability: options.durability } : {}));

  const children: Child[] = [];
  const cleanUp = async () => {
    await stopChildren();
    rmSync(tempRoot, { recursive: true, force: true });
  };
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  // Last resort when this process dies unexpectedly (an uncaught error, stdout closed by `| head`).
  const onExit = () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    rmSync(tempRoot, { recursive: true, force: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);

  try {
    const [server, sink] = await Promise.all([startServer(serverDir, configPath, options.profileDir), startRawSink(sinkDir, (options.durability ?? 'fsync') === 'fsync')]);
    children.push(server, sink);
    const serverTarget: Target = { name: 'server', port: server.port, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
    const sinkTarget: Target = { name: 'raw sink', port: sink.port, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
    console.log(`server pid ${server.pid} on port ${server.port}, raw sink pid ${sink.pid} on port ${sink.port}; data under ${tempRoot}`);

    const warmupMd5 = source.md5(warmupParts);
    await measureCeiling(sinkTarget, sink, sinkDir, warmupParts, source);
    await measureServer(serverTarget, server, warmupParts, source, warmupMd5, 'bench-warmup');

    const ceiling: Measurement[] = [];
    const measured: ServerMeasurement[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      ceiling.push(await measureCeiling(sinkTarget, sink, sinkDir, parts, source));
      measured.push(await measureServer(serverTarget, server, parts, source, md5, `bench-round-${round}`));
      console.log(`round ${round}: ceiling ${ceiling.at(-1)!.mbPerSecond.toFixed(1)} MB/s, chunked ${measured.at(-1)!.mbPerSecond.toFixed(1)} MB/s`);
    }
    serverTarget.agent.destroy();
    sinkTarget.agent.destroy();
    await cleanUp();
    printReport({ durabilityLabel, ceiling, server: measured, md5Info, seconds: (performance.now() - began) / 1000 });
  } catch (error) {
    const stderr = children.map((child) => child.stderr()).filter(Boolean).join('\n');
    await cleanUp();
    console.error(error instanceof Error ? error.message : error);
    if (stderr) console.error(`child stderr:\n${stderr}`);
    process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

await main();
