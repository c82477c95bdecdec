/** The shop's API-registered subscriptions for the order topics keyrelay depends on. */
export const WEBHOOK_SUBSCRIPTIONS_QUERY = /* GraphQL */ `
  query KeyrelayWebhookSubscriptions($topics: [WebhookSubscriptionTopic!]) {
    webhookSubscriptions(first: 100, topics: $topics) {
      nodes { id topic uri }
    }
  }
`;
