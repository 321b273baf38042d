import { buildIslands } from '../../islands/build.ts';

/** Builds the browser bundles once before any test file runs (the widget routes serve them). */
export default async function setup(): Promise<void> {
  await buildIslands();
}
