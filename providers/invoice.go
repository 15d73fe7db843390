package providers

// Invoice fields: the keys of Request.Fields for kind Invoice, as declared
// in an invoice_batch block. Each gateway lists the ones it takes in
// Gateway.InvoiceFields and maps them to its own wire names; the schema
// refuses a field the gateway does not take.
const (
	FieldTitle         = "title"
	FieldDescription   = "description"
	FieldCallbackURL   = "callback_url"
	FieldSuccessURL    = "success_url" // MilaCoins completedUrl, MiraclePay redirectUrl
	FieldCancelURL     = "cancel_url"
	FieldPendingURL    = "pending_url"  // Coinilla unconfirm_url: paid, not yet confirmed
	FieldWallet        = "wallet"       // MilaCoins: the settlement wallet
	FieldPayCurrency   = "pay_currency" // CoinPay24: the crypto the customer pays in
	FieldPayer         = "payer"        // MiraclePay: who pays the commission (merchant|customer)
	FieldBlockchains   = "blockchains"  // MiraclePay: comma-separated blockchain ids
	FieldCustomerEmail = "customer_email"
	FieldExpiresAt     = "expires_at" // RFC 3339, where the gateway lets the merchant choose
)

// Keys of Object.Fields for invoices, filled where the gateway reports
// them.
const (
	ResultPaymentURL = "payment_url" // where the customer pays
	ResultPaidAmount = "paid_amount" // in the invoice currency
	ResultPayAmount  = "pay_amount"  // in PayCurrency
	ResultPayAddress = "pay_address"
	ResultExpiresAt  = "expires_at" // RFC 3339
	ResultCreatedAt  = "created_at" // RFC 3339, where only a read by id reports it (MiraclePay)
)
