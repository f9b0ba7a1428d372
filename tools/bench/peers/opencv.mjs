// OpenCV peer (python child process, see opencv.py).
import { pythonPeer } from './python.mjs';

export const measure = pythonPeer('opencv', 'opencv.py');
