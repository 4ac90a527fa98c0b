/**
 * Messages to another thread, posted together once per turn of the event loop: the commands that
 * requests of one turn send reach the writer thread as one message (and join one group commit, as
 * on one thread), and the answers of one commit come back as one.
 */
export const createOutbox = <Message>(post: (messages: Message[]) => void) => {
  let queued: Message[] = [];
  const flush = () => {
    const messages = queued;
    queued = [];
    post(messages);
  };
  return (message: Message) => {
    if (queued.length === 0) setImmediate(flush);
    queued.push(message);
  };
};
