"""Agency formats (IPTC ninjs, NewsML-G2, NITF) read into raw articles: one module per format,
each a pure function from parsed input to raw-schema mappings or a `Rejected`; hostile XML is
refused in `xmlsafe`."""
