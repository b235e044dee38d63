//! The towns of the province of Siena, as a gazetteer knows them with no network.

/// Real town centres of the province of Siena: (name, lat, lon). Search by need
/// resolves `a Poggibonsi` with them when no service there gives the town.
pub const TOWNS: &[(&str, f64, f64)] = &[
    ("Siena", 43.3186, 11.3306),
    ("Poggibonsi", 43.4667, 11.1500),
    ("Colle di Val d'Elsa", 43.4219, 11.1261),
    ("Montepulciano", 43.0986, 11.7872),
    ("Chiusi", 43.0167, 11.9500),
    ("Sinalunga", 43.2136, 11.7389),
    ("Monteriggioni", 43.3906, 11.2233),
    ("Sovicille", 43.2803, 11.2289),
    ("Asciano", 43.2342, 11.5603),
    ("Chianciano Terme", 43.0603, 11.8286),
    ("Torrita di Siena", 43.1700, 11.7736),
    ("Castelnuovo Berardenga", 43.3458, 11.5047),
    ("Abbadia San Salvatore", 42.8814, 11.6769),
    ("Montalcino", 43.0581, 11.4894),
    ("San Gimignano", 43.4678, 11.0431),
    ("Rapolano Terme", 43.2878, 11.6044),
    ("Buonconvento", 43.1331, 11.4831),
    ("Piancastagnaio", 42.8506, 11.6903),
    ("Radda in Chianti", 43.4861, 11.3736),
    ("Pienza", 43.0764, 11.6789),
];
