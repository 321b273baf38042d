import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

export interface LayoutProps {
  title: string;
  /** The page's language (`<html lang>`). */
  language?: string;
  /** Sends no Referer from the page (pages that show addresses people typed, or images from elsewhere). */
  noReferrer?: boolean;
  /** Elements after the title: stylesheets and styles. */
  head?: Child;
  /** Attributes of `<body>`. */
  body?: Record<string, string>;
  children: Child;
}

/** The HTML shell of every full page. */
export function Layout(props: LayoutProps) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={props.language ?? 'en'}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {props.noReferrer && <meta name="referrer" content="no-referrer" />}
          <title>{props.title}</title>
          {props.head}
        </head>
        <body {...props.body}>{props.children}</body>
      </html>
    </>
  );
}
