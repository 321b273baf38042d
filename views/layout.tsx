import type { Child } from 'hono/jsx';

/** The HTML shell of every full page. */
export function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
      </head>
      <body>{props.children}</body>
    </html>
  );
}
