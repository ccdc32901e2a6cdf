// Every migration of every module, in name order, which is the order they run in. A new one is named by the
// UTC minute it was written (`YYYYMMDD_HHMM_what`) and goes at the end (decision 0007).
import type { Migration } from 'kysely';
import * as foundation from './0001_foundation.ts';
import * as operationLogJson from './0002_operation_log_json.ts';
import * as guests from './0101_guests.ts';
import * as ledger from './0201_ledger.ts';
import * as orders from './0202_orders.ts';
import * as catalog from './0301_catalog.ts';
import * as scenarioRuns from './0401_scenario_runs.ts';
import * as segments from './0402_segments.ts';
import * as adminUsers from './0501_admin_users.ts';
import * as adminListIndexes from './0502_admin_list_indexes.ts';
import * as adminOrderIndexes from './0503_admin_order_indexes.ts';
import * as adminPendingPhoneIndex from './0504_admin_pending_phone_index.ts';
import * as adminMessageIndexes from './0505_admin_message_indexes.ts';
import * as messagesWithoutCodes from './20261205_0100_messages_without_codes.ts';
import * as retention from './20261205_1332_retention.ts';
import * as failedAttempts from './20261205_1333_failed_attempts.ts';
import * as parkedWorkIndexes from './20261205_1344_parked_work_indexes.ts';
import * as customerSubscriptions from './20261205_1350_customer_subscriptions.ts';
import * as sessionCredentials from './20261205_1427_session_credentials.ts';
import * as offlineReceivedAndReturnedPayments from './20261205_1435_offline_received_and_returned_payments.ts';
import * as projectVersions from './20261205_1447_project_versions.ts';
import * as campaigns from './20261205_1600_campaigns.ts';
import * as guestSessions from './20261205_1620_guest_sessions.ts';
import * as catalogTreeVersion from './20261205_1640_catalog_tree_version.ts';
import * as dateTriggers from './20261205_1659_date_triggers.ts';
import * as applePasses from './20261205_1704_apple_passes.ts';
import * as walletSync from './20261205_1915_wallet_sync.ts';
import * as googleWalletObjects from './20261205_1920_google_wallet_objects.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_operation_log_json': operationLogJson,
  '0101_guests': guests,
  '0201_ledger': ledger,
  '0202_orders': orders,
  '0301_catalog': catalog,
  '0401_scenario_runs': scenarioRuns,
  '0402_segments': segments,
  '0501_admin_users': adminUsers,
  '0502_admin_list_indexes': adminListIndexes,
  '0503_admin_order_indexes': adminOrderIndexes,
  '0504_admin_pending_phone_index': adminPendingPhoneIndex,
  '0505_admin_message_indexes': adminMessageIndexes,
  '20261205_0100_messages_without_codes': messagesWithoutCodes,
  '20261205_1332_retention': retention,
  '20261205_1333_failed_attempts': failedAttempts,
  '20261205_1344_parked_work_indexes': parkedWorkIndexes,
  '20261205_1350_customer_subscriptions': customerSubscriptions,
  '20261205_1427_session_credentials': sessionCredentials,
  '20261205_1435_offline_received_and_returned_payments': offlineReceivedAndReturnedPayments,
  '20261205_1447_project_versions': projectVersions,
  '20261205_1600_campaigns': campaigns,
  '20261205_1620_guest_sessions': guestSessions,
  '20261205_1640_catalog_tree_version': catalogTreeVersion,
  '20261205_1659_date_triggers': dateTriggers,
  '20261205_1704_apple_passes': applePasses,
  '20261205_1915_wallet_sync': walletSync,
  '20261205_1920_google_wallet_objects': googleWalletObjects,
};
