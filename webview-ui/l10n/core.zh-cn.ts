import type { MessageCode } from '../../src/core/messages';

/**
 * The core's messages the dashboard shows (the overview's health verdict and reasons, the attempt trail), in
 * Simplified Chinese, by code (the English is in src/core/messages.ts; terms: docs/l10n/glossary.zh-CN.md).
 */
export const CORE_ZH_CN: Readonly<Partial<Record<MessageCode, string>>> = {
  'list.separator': '；',
  'time.inMinutes': '{minutes} 分钟后',
  'time.inHours': '{hours} 小时后',

  'overview.down.noAccount': '停止服务：还没有账号；添加一个 Google 账号即可处理请求。',
  'overview.down.comesBack': '停止服务：现在没有可用的账号；第一个账号 {when}恢复。',
  'overview.down.allNeedAttention': '停止服务：没有可用的账号；每个账号都需要处理（见下方）。',
  'overview.healthy': '正常：{usable}。',
  'overview.degraded': '降级：{problems}（{usable}）。',
  'overview.usable.one': '{total} 个账号中 {usable} 个可用',
  'overview.usable.many': '{total} 个账号中 {usable} 个可用',
  'overview.problem.unavailable': '{family} 暂时不可用',
  'overview.problem.unavailableBoth': '{first} 和 {second} 暂时不可用',
  'overview.problem.attention.one': '{count} 个账号需要处理',
  'overview.problem.attention.many': '{count} 个账号需要处理',
  'overview.problem.failedShare': '今天 {percent}% 的请求失败',
  'overview.reason.rateLimited': '被限速',
  'overview.reason.quotaSpent': '配额已用完',
  'overview.reason.refreshTokenFailed': '刷新令牌已失效',
  'overview.reason.blockedByGoogle': '被 Google 封禁',
  'overview.none.allLimited': '所有账号都受限',
  'overview.none.noAccount': '没有账号可以处理',
  'overview.none.waiting': '正在等待账号',

  'attempt.retry': '重试同一账号',
  'attempt.fallBack': '改用下一个主机',
  'attempt.switch': '切换账号',
  'attempt.wait': '等待',
  'attempt.giveUp': '放弃',
  'attempt.withWait': '{seconds} 秒后{step}',
  'attempt.withNote': '{step}（{note}）',
  'attempt.giveUpWhy': '放弃：{note}',
};
