import { Layout } from '../layout.tsx';

export interface HomeProps {
  cloudName: string;
  apiBase: string;
}

/** The start page: what runs here and where (the live demo arrives with the widget). */
export function HomePage({ cloudName, apiBase }: HomeProps) {
  return (
    <Layout title="Updraft">
      <main>
        <h1>Updraft</h1>
        <p>A self-hostable, Cloudinary-compatible upload widget and upload API.</p>
        <p>
          The embedded local cloud <code>{cloudName}</code> accepts uploads at <code>{`${apiBase}/v1_1/${cloudName}/auto/upload`}</code>.
        </p>
      </main>
    </Layout>
  );
}
