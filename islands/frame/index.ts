import { readConfig } from './config.ts';
import { startWidget } from './widget.ts';

// The frame's only script: everything it needs is in the server-rendered page (markup, texts, config).
startWidget(readConfig());
// Marks the frame interactive (tests and bench/widget-weight wait for it).
document.documentElement.dataset.uwReady = 'true';
