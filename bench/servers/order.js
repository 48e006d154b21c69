// The POST /validated scenario: a ~1 KB order, and the JSON schema every validating server
// uses for it (the same object for @poor/openapi's document and Fastify's `schema.body`).
export const ORDER_SCHEMA = {
  type: 'object',
  required: ['id', 'customer', 'items', 'currency'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', format: 'uuid' },
    customer: {
      type: 'object',
      required: ['name', 'email'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 100 },
        email: { type: 'string', format: 'email' },
        vip: { type: 'boolean' },
      },
    },
    currency: { type: 'string', enum: ['EUR', 'USD', 'CZK'] },
    note: { type: 'string', maxLength: 500 },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        required: ['sku', 'quantity', 'price'],
        additionalProperties: false,
        properties: {
          sku: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
          quantity: { type: 'integer', minimum: 1, maximum: 1000 },
          price: { type: 'number', minimum: 0 },
        },
      },
    },
  },
};

/** A valid order of about 1 KB. */
export const ORDER = JSON.stringify({
  id: '3e4666bf-d5e5-4aa7-b8ce-cefe41c7568a',
  customer: { name: 'Ada Lovelace', email: 'ada@example.com', vip: true },
  currency: 'EUR',
  note: 'Leave the parcel at the door, please. '.repeat(4).trim(),
  items: Array.from({ length: 15 }, (_, index) => ({
    sku: `ABC-${String(1000 + index)}`,
    quantity: index + 1,
    price: 9.5 + index,
  })),
});

/** An OpenAPI 3.1 document with the one operation. */
export const ORDER_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'bench', version: '1' },
  paths: {
    '/validated': {
      post: {
        requestBody: { required: true, content: { 'application/json': { schema: ORDER_SCHEMA } } },
        responses: { 200: { description: 'the order' } },
      },
    },
  },
};
