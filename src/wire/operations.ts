// The Mindbox v3 operations the iiko plugin calls, by the names it calls them (the iiko preset's names), and the
// address they are called at: `POST {server}/v3/operations/{sync|async}?endpointId=…&operation=…[&transactionId=…]`
// with `Authorization: SecretKey <key>`.

export const OPERATIONS_PATH = '/v3/operations';

export const OPERATIONS = {
  checkCustomer: 'Offline.CheckCustomer',
  register: 'Offline.RegisterCustomer',
  confirmPhone: 'Offline.ConfirmMobilePhone',
  resendConfirmation: 'Offline.ResendMobilePhoneConfirmationCode',
  edit: 'Offline.EditCustomer',
  authorizedPreorder: 'Offline.AuthorizedPreorder',
  anonymousPreorder: 'Offline.AnonymousPreorder',
  sendAuthorizationCode: 'Offline.SendMobilePhoneAuthorizationCode',
  checkAuthorizationCode: 'Offline.CheckMobilePhoneAuthorizationCode',
  createAuthorizedOrder: 'Offline.CreateAuthorizedOrder',
  createAnonymousOrder: 'Offline.CreateAnonymousOrder',
  changeStatus: 'Offline.ChangeStatus',
  return: 'Offline.Return',
  saveOfflineOrder: 'Offline.SaveOfflineOrder',
  sendProductCatalog: 'Offline.SendProductCatalog',
} as const;
