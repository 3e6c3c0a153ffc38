// Store faults are described like every other file-system fault of the state directory.
export { describeStorageCause, storageFault } from '../util/storage-fault.js';
