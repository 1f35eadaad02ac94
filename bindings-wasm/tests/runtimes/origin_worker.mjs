// The origin behind the example edge worker in workerd (its ORIGIN service binding): it
// answers the identity headers the edge worker forwarded.
export default {
  fetch(request) {
    const seen = Object.fromEntries([...request.headers].filter(([name]) => name.startsWith("x-orgkit-")));
    return Response.json({ path: new URL(request.url).pathname, seen });
  },
};
