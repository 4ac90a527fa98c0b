/** `runtime.middlewares[1].config.max_tokens` from `/runtime/middlewares/1/config/max_tokens`. */
export const dottedPath = (pointer: string): string => {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
};
