// A response body serialised once and sent as is: the same answer (help, a remembered glossary
// answer, a remembered compose search) is sent thousands of times, and serialising it each time was
// a fifth of a request's CPU. Whatever else serialises it (Bolt's Socket Mode receiver,
// JSON.stringify of an envelope) gets the plain object it stands for.
export class SerializedJson {
  constructor(readonly json: string) {}

  toJSON(): unknown {
    return JSON.parse(this.json);
  }
}
