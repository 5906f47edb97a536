import { safeStorage } from 'electron';
import { fileOnlyCodec, type SecretCodec } from '../services/secrets/secret-store';

/** Secrets encrypted with the OS keychain (Keychain, DPAPI, libsecret) where Electron has one. */
export function safeStorageCodec(): SecretCodec {
  if (!safeStorage.isEncryptionAvailable()) return fileOnlyCodec;
  return {
    name: 'electron-safe-storage',
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
  };
}
