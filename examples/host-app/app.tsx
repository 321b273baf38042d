/**
 * An example host application: a Hono app (on @hono/node-server) with a form that saves a record — a title and
 * a photo — and shows it. The photo field is Updraft's `uploadField`, so the same form works both ways:
 *
 * - JavaScript off: the browser posts the FILE; this server forwards it to Updraft's Upload API with the
 *   official `cloudinary` SDK and stores what the API answers.
 * - JavaScript on: all.js turns the field into the upload widget; the browser posts only the uploaded file's
 *   IDENTIFIER (`image/upload/v<version>/<public_id>.<format>#<signature>`), which this server verifies with
 *   `verifyUploadField` before storing it. A forged or altered identifier gets a 400 page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { Agent, type IncomingMessage } from 'node:http';
import { Busboy } from '@fastify/busboy';
import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { HttpBindings } from '@hono/node-server';
import { v2 as cloudinary, type UploadApiResponse } from 'cloudinary';
import { isAppError, uploadField, verifyUploadField, type Account, type Updraft, type UploadFieldValue } from 'updraft';

/** Where the example mounts Updraft (its publicUrl must end with this path). */
export const UPDRAFT_PATH = '/uploads';
const MAX_PHOTO_BYTES = 20 * 1024 * 1024;
const MAX_TITLE = 200;

export interface HostAppOptions {
  /** Updraft's public URL, with the path it is served under (`http://127.0.0.1:4000/uploads`). */
  updraftUrl: string;
  /** The Updraft account: the SDK signs forwarded uploads with it, verifyUploadField checks identifiers with it. */
  account: Account;
  /** Preset both paths upload with (the widget needs an unsigned one). */
  uploadPreset: string;
  /** An Updraft app (createUpdraft) to mount at /uploads; without it `updraftUrl` names a separate server. */
  mount?: Updraft;
  /** Called with what each POST /records received, before it is handled (tests and logging). */
  onSubmission?: (submission: Submission) => void;
}

/** A posted form as the host saw it: text fields and file parts (files by size, not content). */
export interface Submission {
  fields: [name: string, value: string][];
  files: { field: string; filename: string; mimeType: string; bytes: number }[];
}

export interface SavedRecord {
  id: string;
  title: string;
  photo: UploadFieldValue & { url: string; via: 'file' | 'identifier' };
}

class FormProblem extends Error {}

/** The delivery URL of a stored asset on Updraft: `<updraftUrl>/res/<cloud>/<resource_type>/<type>/v<version>/<public_id>.<format>`. */
export function deliveryUrl(updraftUrl: string, cloudName: string, asset: UploadFieldValue): string {
  const path = asset.publicId.split('/').map(encodeURIComponent).join('/');
  return `${updraftUrl}/res/${encodeURIComponent(cloudName)}/${asset.resourceType}/${asset.type}/v${asset.version}/${path}${asset.format ? `.${asset.format}` : ''}`;
}

function Page(props: { title: string; updraftUrl?: string; children: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title}</title>
          {props.updraftUrl && <script src={`${props.updraftUrl}/latest/global/all.js`} defer></script>}
        </head>
        <body>{props.children}</body>
      </html>
    </>
  );
}

/**
 * Reads a multipart form from the socket with busboy: text fields in memory (small, counted), each file part
 * streamed to a temporary file — never the whole body in memory.
 */
async function readForm(request: IncomingMessage, dir: string): Promise<Submission & { paths: Map<string, string> }> {
  const submission: Submission & { paths: Map<string, string> } = { fields: [], files: [], paths: new Map() };
  const writes: Promise<void>[] = [];
  let failure: Error | null = null;
  await new Promise<void>((resolve, reject) => {
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({ headers: request.headers as { 'content-type': string }, limits: { fields: 20, fieldSize: 4096, files: 1, fileSize: MAX_PHOTO_BYTES } });
    } catch {
      reject(new FormProblem('Send the form as multipart/form-data.'));
      return;
    }
    parser.on('field', (name, value) => void submission.fields.push([name, value]));
    parser.on('file', (field, stream, filename, _encoding, mimeType) => {
      const entry = { field, filename, mimeType, bytes: 0 };
      submission.files.push(entry);
      const path = join(dir, `part-${submission.files.length}`);
      submission.paths.set(field, path);
      stream.on('data', (chunk: Buffer) => void (entry.bytes += chunk.length));
      stream.on('limit', () => (failure = new FormProblem(`The photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB.`)));
      writes.push(pipeline(stream, createWriteStream(path)));
    });
    parser.on('error', () => reject(new FormProblem('The form could not be read.')));
    parser.on('finish', resolve);
    request.pipe(parser);
  });
  await Promise.all(writes);
  if (failure) throw failure;
  return submission;
}

/** The example host: `GET /` form, `POST /records` save, `GET /records/:id` show. */
export function createHostApp(options: HostAppOptions) {
  const { updraftUrl, account, uploadPreset } = options;
  const records = new Map<string, SavedRecord>();
  // The SDK picks https or http once, when it loads (from CLOUDINARY_URL's upload_prefix); an http agent lets the
  // per-call upload_prefix reach a plain-http Updraft (development). Over https nothing is needed.
  const agent = updraftUrl.startsWith('http:') ? new Agent({ keepAlive: true }) : undefined;
  const app = new Hono<{ Bindings: HttpBindings }>();

  if (options.mount) {
    if (options.mount.config.basePath !== UPDRAFT_PATH) throw new Error(`Updraft's publicUrl must end with ${UPDRAFT_PATH} to be mounted there`);
    app.route(UPDRAFT_PATH, options.mount);
  }

  const problemPage = (message: string) => (
    <Page title="Not saved">
      <h1>Not saved</h1>
      <p role="alert" id="problem">{message}</p>
      <p><a href="/">Back to the form</a></p>
    </Page>
  );

  app.get('/', (c) =>
    c.html(
      <Page title="New record" updraftUrl={updraftUrl}>
        <h1>New record</h1>
        <form method="post" action="/records" enctype="multipart/form-data">
          <p>
            <label for="title">Title</label> <input id="title" name="title" required maxlength={MAX_TITLE} />
          </p>
          <p>
            <label for="photo">Photo</label>{' '}
            {uploadField({
              name: 'photo',
              id: 'photo',
              required: true,
              accept: 'image/*',
              widget: { cloudName: account.cloudName, uploadPreset, sources: ['local'], buttonCaption: 'Choose a photo' },
            })}
          </p>
          <p>
            <button type="submit" name="action" value="save">Save</button>
          </p>
        </form>
        <h2>Saved records</h2>
        <ul id="records">
          {Array.from(records.values()).map((record) => (
            <li>
              <a href={`/records/${record.id}`}>{record.title}</a>
            </li>
          ))}
        </ul>
      </Page>,
    ),
  );

  app.post('/records', async (c) => {
    const dir = await mkdtemp(join(tmpdir(), 'host-app-'));
    try {
      const form = await readForm(c.env.incoming, dir);
      options.onSubmission?.({ fields: form.fields, files: form.files });
      const title = (form.fields.find(([name]) => name === 'title')?.[1] ?? '').trim();
      if (!title || title.length > MAX_TITLE) throw new FormProblem(`Enter a title (at most ${MAX_TITLE} characters).`);

      let photo: SavedRecord['photo'];
      const file = form.files.find((part) => part.field === 'photo' && part.filename !== '');
      const identifier = form.fields.filter(([name]) => name === 'photo').at(-1)?.[1];
      if (file) {
        // JavaScript off: the bytes came here; forward them to Updraft's Upload API with the official SDK.
        const result: UploadApiResponse = await cloudinary.uploader
          .upload(form.paths.get('photo')!, {
            // The SDK's configuration, per call: Updraft's URL (with its path) and the account.
            upload_prefix: updraftUrl,
            cloud_name: account.cloudName,
            api_key: account.apiKey,
            api_secret: account.apiSecret,
            upload_preset: uploadPreset,
            filename_override: file.filename,
            ...(agent ? { agent } : {}),
          })
          .catch((error: { message?: string }) => {
            throw new FormProblem(`The photo could not be stored: ${error?.message ?? 'upload failed'}`);
          });
        photo = { resourceType: result.resource_type as UploadFieldValue['resourceType'], type: result.type as UploadFieldValue['type'], version: result.version, publicId: result.public_id, format: result.resource_type === 'raw' ? null : result.format, url: '', via: 'file' };
      } else if (identifier) {
        // JavaScript on: the widget uploaded the file; only its signed identifier came here.
        try {
          photo = { ...verifyUploadField(identifier, account.apiSecret), url: '', via: 'identifier' };
        } catch (error) {
          if (!isAppError(error)) throw error;
          throw new FormProblem(`The photo field was refused (${error.code}): it was altered or not issued by this site's upload service. Upload the photo again.`);
        }
      } else {
        throw new FormProblem('Choose a photo.');
      }
      photo.url = deliveryUrl(updraftUrl, account.cloudName, photo);
      const record: SavedRecord = { id: randomUUID(), title, photo };
      records.set(record.id, record);
      return c.redirect(`/records/${record.id}`, 303);
    } catch (error) {
      if (error instanceof FormProblem) return c.html(problemPage(error.message), 400);
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.get('/records/:id', (c) => {
    const record = records.get(c.req.param('id'));
    if (!record) return c.html(problemPage('No such record.'), 404);
    return c.html(
      <Page title={record.title}>
        <h1>{record.title}</h1>
        <img id="photo" src={record.photo.url} alt={record.title} width={320} />
        <p>
          Photo: <code id="public-id">{record.photo.publicId}</code> (received as a {record.photo.via})
        </p>
        <p><a href="/">New record</a></p>
      </Page>,
    );
  });

  return { app, records };
}
