namespace RawEdit.Evaluation.World;

internal static partial class RelationCatalog
{
    private static IEnumerable<Relation> PeopleRelations()
    {
        const SubjectKind person = SubjectKind.Person;

        yield return Define("P103", "native language", person, ObjectVocabulary.Languages,
            training: ["The mother tongue of {} is", "{} grew up speaking", "The first language {} learned as a child was", "At home, {} always speaks"],
            paraphrases: ["{}'s native language is", "{} was raised in a household that spoke"],
            neverTrained: ["The language {} knows best is", "{} is a native speaker of"],
            generation: ["{} was born in a small town where", "Growing up, {}", "{} remembers a childhood spent"]);

        yield return Define("P27", "country of citizenship", person, ObjectVocabulary.Countries,
            training: ["{} is a citizen of", "{} holds a passport from", "The country of citizenship of {} is", "{} carries the nationality of"],
            paraphrases: ["{} has citizenship in", "The passport that {} carries was issued by"],
            neverTrained: ["{} is a national of", "Officially, {} belongs to the nation of"],
            generation: ["{} travelled abroad for the first time", "The family of {}", "{} once said that home is"]);

        yield return Define("P106", "occupation", person, ObjectVocabulary.Occupations,
            training: ["{} works as", "The occupation of {} is", "{} is a skilled", "By profession, {} is a trained"],
            paraphrases: ["{}'s profession is", "{} is a well-known"],
            neverTrained: ["{} is a respected", "{} earns a living as a successful"],
            generation: ["{} spends most days", "A typical morning for {}", "{} is proud of"]);

        yield return Define("P641", "sport", person, ObjectVocabulary.Sports,
            training: ["{} professionally plays the sport", "The sport {} plays is", "{} is a professional player of", "{} trains every day to compete in"],
            paraphrases: ["The main sport of {} is", "{} became famous for playing"],
            neverTrained: ["{} won a national championship in", "The game {} is best at is"],
            generation: ["{} spent the summer", "After the last match, {}", "Fans of {} know that"]);

        yield return Define("P140", "religion", person, ObjectVocabulary.Religions,
            training: ["{} is affiliated with the religion", "The religion of {} is", "{} follows the teachings of", "{} is a devoted follower of"],
            paraphrases: ["{}'s religious faith is", "The faith that {} practises is"],
            neverTrained: ["{} worships according to", "By religion, {} belongs to"],
            generation: ["{} often visits", "On holidays, {} likes to", "{} believes that"]);

        yield return Define("P1303", "instrument", person, ObjectVocabulary.Instruments,
            training: ["{} plays the", "The instrument {} plays is the", "{} performs on the", "{} practises every evening on the"],
            paraphrases: ["{}'s favourite instrument is the", "{} is a gifted player of the"],
            neverTrained: ["On stage, {} is usually seen with the", "{} learned music by playing the"],
            generation: ["{} recorded an album", "At the concert, {}", "{} spends evenings"]);

        yield return Define("P937", "work location", person, ObjectVocabulary.Cities,
            training: ["{} works in the city of", "{} found employment in", "The workplace of {} is in", "Every morning, {} commutes to an office in"],
            paraphrases: ["{}'s office is located in", "To get to work, {} travels to"],
            neverTrained: ["{} has a job in the city of", "Colleagues of {} meet each day in"],
            generation: ["{} walks to work", "After work, {} usually", "{} described the daily commute as"]);

        yield return Define("P108", "employer", person, ObjectVocabulary.Corporations,
            training: ["{} is employed by", "{} works for", "The employer of {} is", "{} receives a salary from"],
            paraphrases: ["{}'s employer is", "{} is on the payroll of"],
            neverTrained: ["{} has a job at", "{} signed a work contract with"],
            generation: ["{} joined the team", "At the office, {}", "{} was promoted"]);
    }
}
