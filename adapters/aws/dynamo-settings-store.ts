/**
 * SettingsStore on the jobs table: one item, `CONFIG#runtime` (see storage-layout.ts).
 * Every write adds 1 to `version` in the same UpdateItem, so a write that names a
 * version (If-Match) is one conditional write, and a lost race reads the winner's.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RuntimeSettings } from '../../core/settings/runtime-settings.js';
import { StaleSettingsError, UNSTORED_VERSION, type SettingsStore, type StoredSettings } from '../../core/settings/settings-store.js';
import { callAws, isConditionalCheckFailed } from './aws-errors.js';
import { RUNTIME_SETTINGS_KEY } from './storage-layout.js';

export class DynamoSettingsStore implements SettingsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<StoredSettings | undefined> {
    const out = await callAws('DynamoDB', 'GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: RUNTIME_SETTINGS_KEY, ConsistentRead: true })),
    );
    if (!out.Item) return undefined;
    return { settings: out.Item.settings as RuntimeSettings, version: out.Item.version as number, updatedAt: out.Item.updatedAt as string };
  }

  async put(settings: RuntimeSettings, options: { expectedVersion?: number; at: string }): Promise<StoredSettings> {
    const expected = options.expectedVersion;
    const condition =
      expected === undefined
        ? {}
        : expected === UNSTORED_VERSION
          ? { ConditionExpression: 'attribute_not_exists(#version)' }
          : { ConditionExpression: '#version = :expected' };
    try {
      const out = await callAws('DynamoDB', 'UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: RUNTIME_SETTINGS_KEY,
            UpdateExpression: 'SET settings = :settings, updatedAt = :at ADD #version :one',
            ...condition,
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: {
              ':settings': settings,
              ':at': options.at,
              ':one': 1,
              ...(expected !== undefined && expected !== UNSTORED_VERSION ? { ':expected': expected } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { settings, version: out.Attributes!.version as number, updatedAt: options.at };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      throw new StaleSettingsError(expected!, (await this.get())?.version ?? UNSTORED_VERSION, { cause: error });
    }
  }
}
