import { raw } from 'hono/html';
import { Layout } from '../layout.tsx';
import { DEMO_EXAMPLES, DEMO_LOG_SCRIPT } from './demo-examples.ts';

export interface HomeProps {
  nonce: string;
  cloudName: string;
  apiKey: string;
  publicUrl: string;
  basePath: string;
  localCloud: boolean;
}

const DEMO_CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:0 auto;padding:24px;color:#1b2330}
section{border-top:1px solid #d8dee6;padding:16px 0}pre{background:#f4f6f9;padding:12px;overflow:auto;font-size:13px}
#events-log{font:13px/1.5 ui-monospace,monospace;max-height:320px;overflow:auto;background:#0e2f5a;color:#e8f0ff;padding:12px 12px 12px 32px}
.cloudinary-thumbnails{overflow:hidden}`;

/** The demo page: the guide's examples, live against this server, and an events log. */
export function HomePage(props: HomeProps) {
  const fill = (code: string) => code.replaceAll('__API_KEY__', props.apiKey).replaceAll('__BASE__', props.basePath);
  const script = (code: string) => <script nonce={props.nonce}>{raw(fill(code).replaceAll('</', '<\\/'))}</script>;
  return (
    <Layout title="Updraft — upload widget demo" head={<style>{raw(DEMO_CSS)}</style>}>
          <header>
            <h1>Updraft</h1>
            <p>
              A self-hostable, Cloudinary-compatible upload widget. This page loads <code>{`${props.publicUrl}/latest/global/all.js`}</code> instead of
              Cloudinary's script; the code below is the widget guide's, unchanged.
            </p>
            <p>
              Cloud <code>{props.cloudName}</code> — {props.localCloud ? 'the embedded local cloud on this server' : 'uploads go to the configured Cloudinary-compatible API'}.
            </p>
          </header>
          <script src={`${props.basePath}/latest/global/all.js`} type="text/javascript"></script>
          {script(DEMO_LOG_SCRIPT)}
          {DEMO_EXAMPLES.map((example) => (
            <section id={`example-${example.id}`}>
              <h2>{example.title}</h2>
              <p>{example.description}</p>
              {raw(example.html)}
              <details>
                <summary>Code</summary>
                <pre>
                  <code>{`${example.html}\n\n<script>\n${fill(example.script)}\n</script>`}</code>
                </pre>
              </details>
              {script(example.script)}
            </section>
          ))}
          <section>
            <h2>Events</h2>
            <ol id="events-log" reversed aria-live="polite"></ol>
          </section>
    </Layout>
  );
}
