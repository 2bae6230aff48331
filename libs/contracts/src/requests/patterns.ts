/** Request/reply message patterns the gateway sends to the service-requests service. */
export const RequestPatterns = {
  submit: 'requests.submit',
  accept: 'requests.accept',
  startWork: 'requests.start-work',
  resolve: 'requests.resolve',
  confirm: 'requests.confirm',
  reopen: 'requests.reopen',
} as const;

export type RequestPattern = (typeof RequestPatterns)[keyof typeof RequestPatterns];
