/**
 * Splits a `text/event-stream` into its events as text arrives in chunks of any size (the browser's
 * side of GET /topology/events; plain TypeScript, shared with it). Comment lines are skipped; an
 * event's `data:` lines are joined by newlines, as the format says.
 */
export function eventParser(onEvent: (event: string, data: string) => void): (text: string) => void {
  let buffer = '';
  return (text) => {
    buffer += text.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(event, data.join('\n'));
    }
  };
}
