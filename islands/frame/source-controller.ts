/** A source that holds resources while its tab is shown (the camera's stream) and lets go when it is left. */
export interface SourceController {
  activate(): void;
  deactivate(): void;
}
