// The cropper bundle (crop.js), loaded only in frames with cropping on and run before frame.js: it keeps
// cropperjs out of frame.js and hands the frame a small API.
import { openCropper } from './open-cropper.ts';

window.updraftCropper = { open: openCropper };
