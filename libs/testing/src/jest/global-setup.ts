// Placeholder until the stack lands: unit tests need nothing.
export default function globalSetup(): void {}
