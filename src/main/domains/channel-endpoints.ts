/** Where the chat platforms' APIs are: the public ones unless set (local test servers). */
export interface ChannelEndpoints {
  /** Telegram's Bot API root (a local Bot API server in tests). */
  telegramApiRoot?: string;
  /** Meta's Graph API root (a local Graph server in tests). */
  graphApiRoot?: string;
  /** Slack's Web API root, e.g. https://slack.com/api/ (a local server in tests). */
  slackApiUrl?: string;
  /** Discord's REST root, e.g. https://discord.com/api (a local server in tests). */
  discordApiRoot?: string;
}

/**
 * A self-hosted Telegram Bot API server (AIGO_TELEGRAM_API_ROOT) or Graph API endpoint
 * (AIGO_GRAPH_API_ROOT) instead of the public ones; empty means the public one.
 */
export function channelEndpointsFromEnv(env: NodeJS.ProcessEnv): ChannelEndpoints {
  return {
    ...(env.AIGO_TELEGRAM_API_ROOT?.trim()
      ? { telegramApiRoot: env.AIGO_TELEGRAM_API_ROOT.trim() }
      : {}),
    ...(env.AIGO_GRAPH_API_ROOT?.trim() ? { graphApiRoot: env.AIGO_GRAPH_API_ROOT.trim() } : {}),
    ...(env.AIGO_SLACK_API_URL?.trim() ? { slackApiUrl: env.AIGO_SLACK_API_URL.trim() } : {}),
    ...(env.AIGO_DISCORD_API_ROOT?.trim()
      ? { discordApiRoot: env.AIGO_DISCORD_API_ROOT.trim() }
      : {}),
  };
}
