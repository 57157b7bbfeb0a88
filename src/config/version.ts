/** InfinStor's version, as servers report it to clients that check compatibility. */
export const VERSION = '0.1.0'
