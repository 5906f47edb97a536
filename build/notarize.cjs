// electron-builder's afterSign hook: notarizes the signed macOS app with Apple's notary
// service. Credentials come from the environment only — never from a file in the repository:
//   APPLE_API_KEY (path to the .p8 key), APPLE_API_KEY_ID, APPLE_API_ISSUER   (App Store Connect key)
//   or APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID                   (Apple ID)
// Without them the build is left un-notarized and says so; other platforms are untouched.
const { join } = require('node:path');

exports.default = async function notarizeApp(context) {
  if (context.electronPlatformName !== 'darwin') return;
  const env = process.env;
  const appPath = join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`);
  let credentials = null;
  if (env.APPLE_API_KEY && env.APPLE_API_KEY_ID && env.APPLE_API_ISSUER)
    credentials = {
      appleApiKey: env.APPLE_API_KEY,
      appleApiKeyId: env.APPLE_API_KEY_ID,
      appleApiIssuer: env.APPLE_API_ISSUER,
    };
  else if (env.APPLE_ID && env.APPLE_APP_SPECIFIC_PASSWORD && env.APPLE_TEAM_ID)
    credentials = {
      appleId: env.APPLE_ID,
      appleIdPassword: env.APPLE_APP_SPECIFIC_PASSWORD,
      teamId: env.APPLE_TEAM_ID,
    };
  if (!credentials) {
    console.log(
      'notarize: skipped — set APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER (or APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID) to notarize',
    );
    return;
  }
  const { notarize } = require('@electron/notarize');
  console.log(`notarize: submitting ${appPath}`);
  await notarize({ appPath, ...credentials });
  console.log('notarize: done');
};
