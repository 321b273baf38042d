import { describe, expect, it } from 'vitest';
import { cameraProblem, missingCameraSupport } from '../../../../islands/frame/camera-problems.ts';
import { loadLocale } from '../../../../server/services/texts.ts';

describe('cameraProblem', () => {
  it('maps getUserMedia’s errors by name', () => {
    const cases: [string, string][] = [
      ['NotAllowedError', 'permission_denied'],
      ['SecurityError', 'permission_denied'],
      ['NotFoundError', 'no_camera'],
      ['OverconstrainedError', 'no_camera'],
      ['NotReadableError', 'camera_in_use'],
      ['AbortError', 'camera_failed'],
      ['TypeError', 'camera_failed'],
    ];
    for (const [name, problem] of cases) expect([name, cameraProblem(new DOMException('x', name))]).toEqual([name, problem]);
    // Chromium's OverconstrainedError is no DOMException.
    expect(cameraProblem({ name: 'OverconstrainedError', constraint: 'deviceId' })).toBe('no_camera');
    expect(cameraProblem(null)).toBe('camera_failed');
    expect(cameraProblem('NotAllowedError')).toBe('camera_failed');
  });

  it('has an English message for every problem', () => {
    const camera = loadLocale('en').camera as Record<string, unknown>;
    for (const problem of ['permission_denied', 'no_camera', 'camera_in_use', 'insecure_context', 'camera_stopped', 'capture_failed', 'camera_failed']) {
      expect(typeof camera[problem], problem).toBe('string');
    }
  });
});

describe('missingCameraSupport', () => {
  const getUserMedia = () => undefined;
  it('needs a secure context with mediaDevices.getUserMedia', () => {
    expect(missingCameraSupport({ isSecureContext: true, navigator: { mediaDevices: { getUserMedia } } })).toBeNull();
    expect(missingCameraSupport({ isSecureContext: false, navigator: { mediaDevices: { getUserMedia } } })).toBe('insecure_context');
    expect(missingCameraSupport({ isSecureContext: true, navigator: {} })).toBe('insecure_context');
    expect(missingCameraSupport({ isSecureContext: true, navigator: { mediaDevices: {} } })).toBe('insecure_context');
  });
});
