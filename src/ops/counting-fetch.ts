/**
 * `fetch` that reports every failed model request by status (0 = no answer: a
 * timeout or a dropped connection) before the SDK decides whether to retry it.
 */
export function countingFetch(onError: (status: number) => void, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    try {
      const response = await base(input, init);
      if (response.status >= 400) onError(response.status);
      return response;
    } catch (error) {
      onError(0);
      throw error;
    }
  };
}
