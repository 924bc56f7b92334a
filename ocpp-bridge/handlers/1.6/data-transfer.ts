import type { Handler } from '../context.js';

/** 1.6 §4.3 DataTransfer: no vendor extensions are supported, which the answer says (not an error). */
export const dataTransfer: Handler = () => ({ status: 'UnknownVendorId' });
