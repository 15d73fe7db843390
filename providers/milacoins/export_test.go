package milacoins

// SetPageSize makes c list n invoices a page, so that tests reach a
// second page without 500 invoices.
func SetPageSize(c *Client, n int) { c.pageSize = n }
