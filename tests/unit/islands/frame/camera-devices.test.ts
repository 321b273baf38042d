import { describe, expect, it } from 'vitest';
import { cameraChoices, cameraConstraints, openCamera } from '../../../../islands/frame/camera-devices.ts';

const numbered = (n: number) => `Camera ${n}`;
const device = (kind: MediaDeviceKind, deviceId: string, label = '') => ({ kind, deviceId, label });

describe('cameraChoices', () => {
  it('lists the video inputs only, with their labels; offers a choice from two cameras on', () => {
    const devices = [device('audioinput', 'mic', 'Microphone'), device('videoinput', 'front', 'Front camera'), device('audiooutput', 'spk', 'Speakers'), device('videoinput', 'usb', 'USB webcam')];
    expect(cameraChoices(devices, 'usb', numbered)).toEqual({
      choices: [
        { id: 'front', label: 'Front camera' },
        { id: 'usb', label: 'USB webcam' },
      ],
      selected: 'usb',
      offer: true,
    });
  });

  it('does not offer a choice of one camera', () => {
    expect(cameraChoices([device('videoinput', 'only', 'Built-in')], 'only', numbered)).toEqual({ choices: [{ id: 'only', label: 'Built-in' }], selected: 'only', offer: false });
  });

  it('numbers cameras whose labels the browser hides, and skips entries without an id or seen twice', () => {
    const devices = [device('videoinput', ''), device('videoinput', 'a'), device('videoinput', 'a', 'again'), device('videoinput', 'b', '  ')];
    expect(cameraChoices(devices, undefined, numbered).choices).toEqual([
      { id: 'a', label: 'Camera 1' },
      { id: 'b', label: 'Camera 2' },
    ]);
  });

  it('selects the first camera when the streaming one is not listed, nothing when there is none', () => {
    expect(cameraChoices([device('videoinput', 'a', 'A'), device('videoinput', 'b', 'B')], 'gone', numbered).selected).toBe('a');
    expect(cameraChoices([], 'gone', numbered)).toEqual({ choices: [], selected: null, offer: false });
  });
});

describe('cameraConstraints and openCamera', () => {
  it('asks for video only, photo-sized, the chosen camera exactly', () => {
    expect(cameraConstraints(null)).toEqual({ video: { width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false });
    expect(cameraConstraints('usb')).toEqual({ video: { width: { ideal: 1920 }, height: { ideal: 1080 }, deviceId: { exact: 'usb' } }, audio: false });
  });

  /** getUserMedia answering from a list of outcomes, recording what it was asked. */
  const media = (outcomes: (MediaStream | Error)[]) => {
    const asked: MediaStreamConstraints[] = [];
    return {
      asked,
      getUserMedia: async (constraints?: MediaStreamConstraints) => {
        asked.push(constraints!);
        const outcome = outcomes.shift()!;
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    };
  };
  const stream = {} as MediaStream;
  const named = (name: string) => Object.assign(new Error(name), { name });

  it('falls back to any camera when the chosen one is gone', async () => {
    for (const gone of ['OverconstrainedError', 'NotFoundError']) {
      const fake = media([named(gone), stream]);
      expect(await openCamera(fake, 'unplugged')).toBe(stream);
      expect(fake.asked).toEqual([cameraConstraints('unplugged'), cameraConstraints(null)]);
    }
  });

  it('does not retry other failures, nor when no camera was chosen', async () => {
    const denied = media([named('NotAllowedError'), stream]);
    await expect(openCamera(denied, 'usb')).rejects.toThrow('NotAllowedError');
    expect(denied.asked).toHaveLength(1);
    const none = media([named('NotFoundError'), stream]);
    await expect(openCamera(none, null)).rejects.toThrow('NotFoundError');
    expect(none.asked).toHaveLength(1);
  });
});
