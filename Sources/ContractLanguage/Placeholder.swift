public enum ContractLanguagePlaceholder {}
