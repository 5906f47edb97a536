import type { ImageStatus } from '../../../../../shared/schemas/image';

type Tone = 'ok' | 'bad' | 'warn' | 'muted';

const NO_RUNTIME = 'Unknown: no container runtime';

/**
 * What the Image tab shows: the image itself (as Health names it) and, apart, how the last
 * build ended. `failed`/`cancelled` states mean there is no image to use.
 */
export function imageView(
  status: ImageStatus,
  runtimeAvailable: boolean,
): { image: string; imageTone: Tone; lastBuild: string; lastBuildTone: Tone } {
  const image = ((): [string, Tone] => {
    switch (status.state) {
      case 'building':
        return ['Building', 'warn'];
      case 'ready':
        return ['Ready', 'ok'];
      case 'outdated':
        return ['Outdated', 'warn'];
      case 'unknown':
        return [runtimeAvailable ? 'Unknown' : NO_RUNTIME, 'muted'];
      default:
        return runtimeAvailable ? ['Not built', 'muted'] : [NO_RUNTIME, 'muted'];
    }
  })();
  const outcome = status.lastBuild?.outcome;
  const last: [string, Tone] =
    outcome === 'succeeded'
      ? ['Succeeded', 'ok']
      : outcome === 'failed'
        ? ['Failed', 'bad']
        : outcome === 'cancelled'
          ? ['Cancelled', 'muted']
          : ['None yet', 'muted'];
  return { image: image[0], imageTone: image[1], lastBuild: last[0], lastBuildTone: last[1] };
}
