/** An error shaped like the SDK's service exceptions (what `awsCall` classifies). */
export function sdkError(name: string, status: number, message = `${name}`): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}
