import ArgumentParser
import NN

/// `--variant lstm|bilstm|attention` (or `attn`), parsed the way run files name variants.
extension ModelConfiguration.Variant: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }
}
