// Pillow peer (python child process, see pillow.py).
import { pythonPeer } from './python.mjs';

export const measure = pythonPeer('pillow', 'pillow.py');
